"""The rep's own web app on 127.0.0.1: routes call app/ and render views/ shapes."""
