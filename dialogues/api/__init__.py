"""The read-only JSON API, its OpenAPI document and the downloads that share its shapes.

Built on Django REST framework: `serializers` write each shape once, `views` answer the routes
in `urls`, `pagination` pages them, `errors` turns every failure into the `{"errors": …}`
envelope, `schema` generates the OpenAPI 3.1 document with drf-spectacular, and `exports`
streams whole result sets as CSV or JSON.
"""
