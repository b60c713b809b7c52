"""The web layer: blueprints, their forms, error handlers, security headers and templating.

It calls the domain modules beside it (eventmap.*); they never import it.
"""
