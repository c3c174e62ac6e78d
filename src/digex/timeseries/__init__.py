"""Time series made from the monthly and quarterly figures: seasonal adjustment and the nowcast
of the full year. Estimates and forecasts are kept apart from observations (their own status)."""
