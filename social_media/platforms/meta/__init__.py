"""What Facebook Pages and Instagram share: the Graph API session (graph.py), the one error
translation (errors.py) and the Meta login (oauth.py). The adapters live in ../facebook and ../instagram."""
