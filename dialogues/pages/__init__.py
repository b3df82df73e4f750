"""The HTML pages: views and routes, pagination and the timeline drawing (the citation formats
are `dialogues.citations`, shared with the releases)."""
