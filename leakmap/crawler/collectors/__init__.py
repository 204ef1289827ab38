"""One collector per kind of evidence (network, cookies, storage, clicks...), each with its own
small lifecycle over a visit, errors isolated (see ``base.py``)."""
