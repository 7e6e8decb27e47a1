"""Energy and GHG accounting engines (China's national guidelines, GB/T 2589): pure, vectorised.

Filled by the accounting issue; no module here may import store/, io/, service/ or a face.
"""
