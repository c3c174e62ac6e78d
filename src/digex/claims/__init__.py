"""The claim checker: the figures a press text quotes, found and checked against a release."""
