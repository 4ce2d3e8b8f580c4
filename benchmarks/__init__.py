"""Fair, repeated measurements of every front end beside baselines."""
