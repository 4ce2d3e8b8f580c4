"""One contract suite over every front end."""
