"""KCN Atlas, as `streamlit run app.py` serves it: the pages and the data endpoints.

The pages are the Streamlit script ``streamlit_app.py``; the data endpoints
(the live map's features and vector tiles, see :mod:`api.routes`) are routes
of the same ASGI application, so the browser gets everything from one address.
"""

import streamlit as st

from api.routes import routes, warm_up

app = st.App("streamlit_app.py", routes=routes(), lifespan=warm_up)
