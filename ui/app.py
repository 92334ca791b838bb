"""Entry point of the Streamlit app."""

import streamlit as st

st.set_page_config(page_title="Sijil", page_icon="📒", layout="wide")
st.title("Sijil")
st.write("Documentation database for human-rights incidents.")
