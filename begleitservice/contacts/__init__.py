"""The contact log of seniors, volunteers and requests, and "last contact" for the lists."""
