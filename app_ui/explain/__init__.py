"""The Grad-CAM page's sections: the four stage panels, the downloads and the sample gallery."""
