"""Lambent: a self-hosted, AWS Lambda-compatible serverless platform."""
