from ninja import NinjaAPI

api = NinjaAPI(title="Registrar API", version="1", urls_namespace="api-1")
