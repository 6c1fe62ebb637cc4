"""Entry point: `python app.py` serves the dashboard; gunicorn serves `app:server`."""
from dashboard import create_app

app = create_app()
server = app.server

if __name__ == "__main__":
    print("Loket monitor on http://127.0.0.1:8050")
    app.run(host="127.0.0.1", port=8050, debug=False)
