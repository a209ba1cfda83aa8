"""A voice revision tutor for GCSE/iGCSE history, as an Alexa custom skill."""
