"""Management system.

Context, scope, leadership, objectives, the SMS plan and communication (2011 4.1-4.2, 4.5.2; 2018 4, 5,
6.2-6.4, 7.4).
"""
