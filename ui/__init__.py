"""Sijil's Streamlit workspace: a thin layer over records.services."""
