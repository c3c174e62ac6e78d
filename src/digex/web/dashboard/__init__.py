"""The dashboard served at `/`: the page, its data answers (`/api/dashboard...`) and its static
files, read from release snapshots like the rest of the web layer."""
