"""Model tooling for Private Image Tagger: CIFAR-100 data, the study's 19
architectures, training, ONNX export/import and the random-weight zoo."""
