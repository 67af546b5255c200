"""`guideqa bench build`: index build speed and memory, guideqa against the usual LangChain recipe, in one run."""
