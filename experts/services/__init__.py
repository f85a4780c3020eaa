"""Writes of the experts app, one module per part: access (who may do what), badges
(the byline cache on Member), certification, evidence, profiles, questions,
endorsements, knowledge."""
