"""Data protection (DSGVO): access export (Art. 15), restriction and erasure (Art. 17/18) with retention."""
