"""The cookie declaration: what a site says it stores against what its visits saw.

Crawl time stored the raw evidence (``declarations`` table: the consent platform's configuration,
the policy links of the landing page, the policy pages as sent); here it is read
(:mod:`~leakmap.declaration.cmps`, :mod:`~leakmap.declaration.policy`,
:mod:`~leakmap.declaration.published`), joined with every cookie and storage key observed
(:mod:`~leakmap.declaration.inventory`, judged as every rule judges them), and written for a
cookie policy and as ``leakmap.declaration/1`` JSON (:mod:`~leakmap.declaration.document`,
:mod:`~leakmap.declaration.render`). The rules comparing both live in
:mod:`leakmap.analysis.rules.declaration`.
"""
