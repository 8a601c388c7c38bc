"""Management review.

Scheduled management reviews, the review pack, decisions and actions (2011 4.5.4.3; 2018 9.3).
"""
