"""Results files, the terminal summary and the HTML report."""
