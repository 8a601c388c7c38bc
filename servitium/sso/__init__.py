"""Single sign-on: OpenID Connect (mozilla-django-oidc) and LDAP (django-auth-ldap) sign-in.

Both protocols end in the same place: the directory or provider says who the person is and which groups
they are in; `mapping.resolve` turns the groups (and an organization hint) into roles and an organization
with the operator's mapping, and `services.sign_in` creates or updates the login (and the person record
customer users need) through the audited party services. A person whose groups map to no role is refused:
a login without a role could sign in and see nothing, which only hides the misconfiguration.

Configuration comes from the environment (`config.py`, docs/operator-guide.md "Single sign-on").
"""
