"""The installation's keys as operators use them: a new key, the key file of a fresh
machine, sealing the trail, rotating the master key. The keys themselves, their derivation
and wrapping live in records/keys.py, beside the audit chain that uses them."""

from records.keys import MasterKey, generate_key, parse_key, read_master_key
from records.services.keys.existing import seal_existing_values
from records.services.keys.files import create_key_file, staged_key_file
from records.services.keys.rotation import Rotation, rotate_master_key, seal_trail

__all__ = [
    "MasterKey",
    "Rotation",
    "create_key_file",
    "generate_key",
    "parse_key",
    "read_master_key",
    "rotate_master_key",
    "seal_existing_values",
    "seal_trail",
    "staged_key_file",
]
