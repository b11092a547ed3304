app_name = "oai"
urlpatterns = []
