"""The HTML pages: views and routes, pagination, the timeline drawing and the citation formats."""
