"""The assistant's model providers: name -> class path, imported on first use (like the platforms')."""

from importlib import import_module

from django.conf import settings

from assistant.errors import NotConfigured

PROVIDERS = {
    "openai": "assistant.providers.openai_provider.OpenAIProvider",
    "gemini": "assistant.providers.gemini_provider.GeminiProvider",
}


def provider_settings() -> dict | None:
    """The configured provider's name, key, model and base URL; None when the assistant is off."""
    name = (settings.ASSISTANT_PROVIDER or "").strip().lower()
    if name not in PROVIDERS:
        return None
    prefix = name.upper()
    key = getattr(settings, f"{prefix}_API_KEY", "")
    base_url = getattr(settings, f"{prefix}_BASE_URL", "")
    if not key and not (name == "openai" and base_url):  # a self-hosted server may need no key
        return None
    return {"name": name, "api_key": key, "model": getattr(settings, f"{prefix}_MODEL"), "base_url": base_url}


def get_provider():
    config = provider_settings()
    if config is None:
        raise NotConfigured()
    module_path, class_name = PROVIDERS[config["name"]].rsplit(".", 1)
    provider_class = getattr(import_module(module_path), class_name)
    return provider_class(
        api_key=config["api_key"], model=config["model"], base_url=config["base_url"], timeout=settings.ASSISTANT_TIMEOUT_SECONDS
    )
