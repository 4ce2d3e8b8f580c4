"""A stand-in for streamlit_app/app.py with the same protocol shape: a keyed form and a keyed result container."""

import json

import streamlit as st

with st.form("predict_form"):
    age = st.number_input("Age", key="age", min_value=18, max_value=100, value=35, step=1)
    income = st.number_input("Income", key="income", min_value=0.0, value=100.0)
    home = st.selectbox("Home", ["rent", "own", "mortgage"], key="home_ownership")
    submitted = st.form_submit_button("Predict")
if submitted:
    if age == 99:
        st.error("age: 99 is refused by this stand-in")
    else:
        with st.container(key="prediction_result"):
            st.json(json.dumps({"age": age, "income": income, "home_ownership": home}))
st.json(json.dumps({"outside": True}))
