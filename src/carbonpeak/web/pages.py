"""Placeholder: replaced by the web pages."""

from fastapi import APIRouter

router = APIRouter()
