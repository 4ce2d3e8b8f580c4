"""Streamlit front end: the model as an interactive app."""
