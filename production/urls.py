from django.urls import path

from production import views

urlpatterns = [
    path("production-orders/", views.order_list, name="production-orders"),
    path("production-orders/<str:no>/", views.order_detail, name="production-order"),
]
