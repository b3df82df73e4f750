"""Pictures drawn on the server as SVG: the timeline's era view, dialogues by year, the network
of who met whom and the map of places, each with a text equivalent and a download.

Each module computes where everything goes; templates under `templates/pictures/` draw it, so
every name is escaped like any other page text. No picture holds a script, a style element or a
reference to anything elsewhere: colours follow the page's scheme through `static/css/site.css`,
and the presentation attributes give a downloaded figure the light scheme.
"""
