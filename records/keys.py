"""The installation's keys (docs/design.md §5): the master key from the environment, the
keys derived from it, and the data keys stored wrapped under it.

    master key       32 random bytes, SIJIL_SECRET_KEY or the key file; never in the database
     ├ key id        HKDF(master, "sijil/v1/key-id"), 8 bytes in hex: names it in messages
     └ wrapping key  HKDF(master, "sijil/v1/wrap"): AES-256-GCM over each data key
        └ data keys  32 random bytes each, in table data_key, wrapped with their purpose
                     and owner as associated data (a wrapped key moved to another row
                     does not unwrap)
           chain key   purpose 'chain', owner 'installation'
            ├ entry key       HKDF(chain, "sijil/v1/audit-entry"): HMAC-SHA-256 of entries
            ├ credential key  HKDF(chain, "sijil/v1/credential"): HMAC-SHA-256 digests of
            │                 password hashes, recorded in the trail instead of the hash
            └ session key     HKDF(chain, "sijil/v1/session"): HMAC-SHA-256 over each log-in
                              session row, so a row written by SQL logs nobody in

The chain key is random and stored, not derived from the master: rotating the master
re-wraps it and every entry stays verifiable. Only the `cryptography` package's HKDF and
AES-GCM and the standard library's HMAC are used.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, insert, select

from records.config import Settings, get_settings
from records.errors import SijilError
from records.models.keys import DataKey
from records.models.types import utcnow

KEY_BYTES = 32
NONCE_BYTES = 12
CHAIN_PURPOSE = "chain"
INSTALLATION = "installation"
DIGEST_PREFIX = "hmac-sha256:"
_KEY_TEXT = re.compile(r"[A-Za-z0-9_-]{43}=?")
_keys = DataKey.__table__


class SecretKeyError(SijilError):
    """The master key is missing, malformed, or not the one the stored keys are wrapped
    under: nothing keyed can be written or verified."""


class StoredKeyError(SijilError):
    """A stored data key cannot be used: altered, removed, or wrapped under another key."""


def generate_key() -> str:
    """A new random key: 32 bytes from the operating system, in URL-safe base64."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def parse_key(text: str, source: str) -> bytes:
    """The 32 bytes of a key written as `sijil keys generate` prints it; `source` says
    where it came from, for the message."""
    text = text.strip()
    if not _KEY_TEXT.fullmatch(text):
        raise SecretKeyError(
            f"{source} is not a valid key: it must be 32 bytes in URL-safe base64, as "
            "`sijil keys generate` prints one (SIJIL_SECRET_KEY or SIJIL_SECRET_KEY_FILE)")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def derive(key: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose (HKDF-SHA-256, RFC 5869, no salt: the input is
    already a uniformly random key)."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                info=f"sijil/v1/{purpose}".encode("ascii")).derive(key)


def key_id(key: bytes) -> str:
    """A short public name for a key, derived from it (it tells nothing of the key)."""
    return derive(key, "key-id")[:8].hex()


@dataclass(frozen=True)
class MasterKey:
    """The installation's master key and where it was read from."""

    secret: bytes = field(repr=False)
    source: str

    @functools.cached_property
    def id(self) -> str:
        return key_id(self.secret)

    def _aead(self) -> AESGCM:
        return _wrapping_aead(self.secret)


@functools.lru_cache(maxsize=4)
def _wrapping_aead(secret: bytes) -> AESGCM:
    # Derived once per master key, not once per data key wrapped (a bulk load makes
    # thousands of keys).
    return AESGCM(derive(secret, "wrap"))


def read_master_key(settings: Settings | None = None) -> MasterKey:
    """The master key from SIJIL_SECRET_KEY, or else from the key file. Raises
    SecretKeyError, one line naming SIJIL_SECRET_KEY, when it is missing or malformed:
    there is no unkeyed fallback."""
    settings = settings or get_settings()
    if settings.secret_key is not None:
        return MasterKey(parse_key(settings.secret_key, "SIJIL_SECRET_KEY"), "SIJIL_SECRET_KEY")
    path = settings.secret_key_file
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise SecretKeyError(
            f"no secret key: set SIJIL_SECRET_KEY, or create the key file {path} "
            "(SIJIL_SECRET_KEY_FILE) with `sijil keys init` or `make run`") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SecretKeyError(f"cannot read the key file {path} (SIJIL_SECRET_KEY_FILE; or "
                             f"set SIJIL_SECRET_KEY): {error}") from None
    return MasterKey(parse_key(text, f"the key file {path}"), f"the key file {path}")


def _aad(purpose: str, owner: str) -> bytes:
    return json.dumps(["sijil-data-key", 1, purpose, owner], separators=(",", ":")).encode()


def wrap_key(master: MasterKey, data_key: bytes, *, purpose: str, owner: str) -> bytes:
    """`data_key` encrypted under the master's wrapping key (AES-256-GCM, a fresh random
    nonce first), bound to its purpose and owner."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + master._aead().encrypt(nonce, data_key, _aad(purpose, owner))


def unwrap_key(master: MasterKey, wrapped: bytes, *, purpose: str, owner: str) -> bytes:
    """The data key in `wrapped`. Raises StoredKeyError when it does not open under this
    master for this purpose and owner (altered, moved, or wrapped under another key)."""
    try:
        return master._aead().decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:],
                                      _aad(purpose, owner))
    except (InvalidTag, ValueError):
        raise StoredKeyError(
            f"the {purpose} key of {owner} does not open under {master.source} (key "
            f"{master.id}): it was altered, or wrapped under another key") from None


@dataclass(frozen=True)
class ChainKeys:
    """What the audit chain needs of the chain key: its id, and the two keys derived
    from it."""

    key_id: str
    entry_key: bytes = field(repr=False)
    credential_key: bytes = field(repr=False)
    session_key: bytes = field(repr=False)

    @classmethod
    def from_chain_key(cls, chain_key: bytes) -> ChainKeys:
        return cls(key_id(chain_key), derive(chain_key, "audit-entry"),
                   derive(chain_key, "credential"), derive(chain_key, "session"))

    def entry_hash(self, payload: bytes) -> str:
        """HMAC-SHA-256 (hex) of an entry's canonical payload."""
        return hmac.new(self.entry_key, payload, hashlib.sha256).hexdigest()

    def credential_digest(self, value: str) -> str:
        """What the trail records for a password hash: a keyed digest of it, never the
        hash (an offline guess at a password needs the hash; the digest does not help)."""
        return DIGEST_PREFIX + hmac.new(self.credential_key, value.encode("utf-8"),
                                        hashlib.sha256).hexdigest()

    def session_mac(self, payload: bytes) -> str:
        """The MAC a log-in session row carries: HMAC-SHA-256 of its canonical payload
        (records.services.users.session_rows) under the session key."""
        return DIGEST_PREFIX + hmac.new(self.session_key, payload, hashlib.sha256).hexdigest()


def _stored_chain_row(conn: Connection):
    return conn.execute(select(_keys).where(_keys.c.purpose == CHAIN_PURPOSE,
                                            _keys.c.owner == INSTALLATION)).first()


def check_master(master: MasterKey, wrapped_under: str) -> None:
    if wrapped_under != master.id:
        raise SecretKeyError(
            f"the stored keys are wrapped under master key {wrapped_under}, but "
            f"{master.source} is key {master.id}: give this installation's key in "
            "SIJIL_SECRET_KEY or its key file (after `sijil keys rotate`, the new one)")


def load_chain_keys(conn: Connection, master: MasterKey) -> ChainKeys | None:
    """The chain keys of this database (None: it has no chain key yet). Raises
    SecretKeyError for a master other than the one the key is wrapped under, and
    StoredKeyError when the stored key is destroyed, altered or does not match its id."""
    row = _stored_chain_row(conn)
    if row is None:
        return None
    if row.wrapped is None:
        raise StoredKeyError(f"the chain key {row.key_id} was destroyed")
    check_master(master, row.master_key_id)
    keys = ChainKeys.from_chain_key(unwrap_key(master, bytes(row.wrapped),
                                               purpose=CHAIN_PURPOSE, owner=INSTALLATION))
    if keys.key_id != row.key_id:
        raise StoredKeyError(f"the chain key is not the key {row.key_id} its row names")
    return keys


def create_chain_key(conn: Connection, master: MasterKey) -> ChainKeys:
    """Make the chain key (random), store it wrapped, and return its keys. The caller
    holds the chain head lock and seals the trail in the same transaction."""
    chain_key = os.urandom(KEY_BYTES)
    keys = ChainKeys.from_chain_key(chain_key)
    conn.execute(insert(_keys).values(
        key_id=keys.key_id, purpose=CHAIN_PURPOSE, owner=INSTALLATION,
        wrapped=wrap_key(master, chain_key, purpose=CHAIN_PURPOSE, owner=INSTALLATION),
        master_key_id=master.id, created_at=utcnow()))
    return keys


# Field encryption (docs/design.md §5): one data key per owner ('person:<uid>',
# 'incident:<ref>', 'source:<uid>'), purpose 'fields'. Values are AES-256-GCM with a fresh
# nonce, bound by associated data to the table, column and owner they belong to.
FIELDS_PURPOSE = "fields"


def load_data_key(conn: Connection, master: MasterKey, owner: str,
                  purpose: str = FIELDS_PURPOSE) -> bytes | None:
    """The data key of `owner`, or None when it has none. Raises StoredKeyError when the
    key was destroyed (an erased owner) or does not open, SecretKeyError for the wrong
    master."""
    row = conn.execute(select(_keys).where(_keys.c.purpose == purpose,
                                           _keys.c.owner == owner)).first()
    if row is None:
        return None
    if row.wrapped is None:
        raise ErasedKeyError(f"the data key of {owner} was destroyed")
    check_master(master, row.master_key_id)
    return unwrap_key(master, bytes(row.wrapped), purpose=purpose, owner=owner)


def load_data_keys(conn: Connection, master: MasterKey, owners: list[str],
                   purpose: str = FIELDS_PURPOSE, chunk: int = 500) -> dict[str, bytes | None]:
    """The data keys of many owners in a few queries: each owner's key, None for an owner
    that has none, and the owner left out when its key was destroyed (load_data_key
    raises ErasedKeyError for it). Raises as load_data_key for a key that does not open."""
    found: dict[str, bytes | None] = dict.fromkeys(owners)
    for start in range(0, len(owners), chunk):
        part = owners[start:start + chunk]
        for row in conn.execute(select(_keys).where(_keys.c.purpose == purpose,
                                                    _keys.c.owner.in_(part))):
            if row.wrapped is None:
                found.pop(row.owner, None)
                continue
            check_master(master, row.master_key_id)
            found[row.owner] = unwrap_key(master, bytes(row.wrapped), purpose=purpose,
                                          owner=row.owner)
    return found


def new_data_key(master: MasterKey, owner: str, purpose: str = FIELDS_PURPOSE
                 ) -> tuple[bytes, dict]:
    """A new random data key for `owner`, and its data_key row (wrapped under the master
    key) for the caller to insert, alone or with others."""
    data_key = os.urandom(KEY_BYTES)
    return data_key, {
        "key_id": key_id(data_key), "purpose": purpose, "owner": owner,
        "wrapped": wrap_key(master, data_key, purpose=purpose, owner=owner),
        "master_key_id": master.id, "created_at": utcnow()}


def insert_data_keys(conn: Connection, rows: list[dict]) -> None:
    if rows:
        conn.execute(insert(_keys), rows)


class ErasedKeyError(StoredKeyError):
    """The data key was destroyed on purpose (a purge): what it encrypted is gone."""


def encrypt_value(data_key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """AES-256-GCM of `plaintext` with a fresh random nonce (the nonce comes first)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(data_key).encrypt(nonce, plaintext, associated)


def decrypt_value(data_key: bytes, sealed: bytes, associated: bytes) -> bytes:
    """The plaintext of `sealed`; StoredKeyError when it was altered or moved elsewhere."""
    try:
        return AESGCM(data_key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:],
                                        associated)
    except (InvalidTag, ValueError):
        raise StoredKeyError("an encrypted value does not open: it was altered, or copied "
                             "from another record") from None


# Backups (docs/design.md §2): in a backup's copy of the database the field data keys are
# wrapped under that backup's generation key, kept outside the database in the backup key
# ring (records/services/backup/generations.py), not under the master key.
GENERATION_PREFIX = "gen:"


def _generation_aad(purpose: str, owner: str) -> bytes:
    return json.dumps(["sijil-backup-key", 1, purpose, owner], separators=(",", ":")).encode()


def wrap_for_backup(generation_key: bytes, data_key: bytes, *, purpose: str,
                    owner: str) -> bytes:
    """`data_key` encrypted (AES-256-GCM) under a key derived from a backup generation key,
    bound to its purpose and owner."""
    nonce = os.urandom(NONCE_BYTES)
    aead = AESGCM(derive(generation_key, "backup-wrap"))
    return nonce + aead.encrypt(nonce, data_key, _generation_aad(purpose, owner))


def unwrap_from_backup(generation_key: bytes, wrapped: bytes, *, purpose: str,
                       owner: str) -> bytes:
    """The data key wrap_for_backup wrapped; StoredKeyError when it does not open."""
    try:
        return AESGCM(derive(generation_key, "backup-wrap")).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _generation_aad(purpose, owner))
    except (InvalidTag, ValueError):
        raise StoredKeyError(f"the {purpose} key of {owner} in the backup does not open "
                             "under its backup generation key: the archive was altered"
                             ) from None
