"""A small OpenID Connect provider (django-oidc-provider) the single sign-on tests start in a subprocess."""
