"""Retrieved chunks -> a cited answer: candidate sentences, selection, writers and verification."""
