"""Report renderers: HTML, JSON, Markdown, JUnit XML, SARIF, terminal."""
