"""What the portal does with its data: the steps between HTTP (blueprints) and rules (domain).

Services read and write the database and files; they hold no words and no HTTP.
"""
