"""Resources and competence.

Resources per service, competence requirements, competences and training (2011 4.4; 2018 7.1-7.3).
"""
