"""Streamlit pages of KCN Atlas: thin glue over :mod:`geo` and :mod:`layers`."""
