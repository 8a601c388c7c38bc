app_name = "conformity"

urlpatterns: list = []
