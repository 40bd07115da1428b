from django.utils.module_loading import import_string

from .registry import PLATFORM_CHOICES, PLATFORMS

__all__ = ["PLATFORMS", "PLATFORM_CHOICES", "PlatformFactory", "UnknownPlatform"]


class UnknownPlatform(LookupError):
    pass


class PlatformFactory:
    _classes = {}

    @classmethod
    def adapter_class(cls, platform):
        if platform not in PLATFORMS:
            raise UnknownPlatform(f"No adapter for platform '{platform}'.")
        if platform not in cls._classes:
            cls._classes[platform] = import_string(PLATFORMS[platform][1])
        return cls._classes[platform]

    @classmethod
    def get_platform(cls, account):
        return cls.adapter_class(account.platform)(account)
