app_name = "availability"

urlpatterns: list = []
