"""The contract served by Flask: an app factory (`flask_app.app.create_app`), one blueprint, one error translator.

Importing the package imports nothing else: gunicorn's master reads only the settings, and the workers build the app.
"""
