"""initial schema

Revision ID: 7396bd330ebd
Revises:
Create Date: 2026-11-25 12:05:59.129928

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import records.models.types
from alembic import op

revision: str = '7396bd330ebd'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('actor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('actor_type', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_actor_name_not_empty')),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_actor_not_own_parent')),
    sa.ForeignKeyConstraint(['parent_id'], ['actor.id'], name=op.f('fk_actor_parent_id_actor')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actor'))
    )
    with op.batch_alter_table('actor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actor_actor_type'), ['actor_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_actor_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_actor_uid'), ['uid'], unique=True)

    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', records.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', records.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('viewer', 'caseworker', 'reviewer', 'admin')", name=op.f('ck_app_user_role_known')),
    sa.CheckConstraint('failed_logins >= 0', name=op.f('ck_app_user_failed_logins_nonnegative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user'))
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_app_user_username'), ['username'], unique=True)

    op.create_table('audit_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint'))
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('name_original', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('name_key', sqlmodel.sql.sqltypes.AutoString(length=700), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('age', sa.Integer(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('occupation', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('profiles', sa.JSON(), nullable=False),
    sa.Column('affiliation', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('home_admin1', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('is_public_figure', sa.Boolean(), nullable=False),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.CheckConstraint("sex IN ('female', 'male', 'other', 'unknown')", name=op.f('ck_person_sex_known')),
    sa.CheckConstraint('age IS NULL OR (age >= 0 AND age <= 130)', name=op.f('ck_person_age_range')),
    sa.CheckConstraint('birth_year IS NULL OR (birth_year >= 1850 AND birth_year <= 2100)', name=op.f('ck_person_birth_year_range')),
    sa.CheckConstraint('length(full_name) > 0', name=op.f('ck_person_full_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_full_name'), ['full_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_uid'), ['uid'], unique=True)

    op.create_table('source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('publisher', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('reliability', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True),
    sa.Column('credibility', sa.Integer(), nullable=True),
    sa.Column('is_confidential', sa.Boolean(), nullable=False),
    sa.CheckConstraint("reliability IS NULL OR reliability IN ('A', 'B', 'C', 'D', 'E', 'F')", name=op.f('ck_source_reliability_grade')),
    sa.CheckConstraint('credibility IS NULL OR (credibility >= 1 AND credibility <= 6)', name=op.f('ck_source_credibility_range')),
    sa.CheckConstraint('length(title) > 0', name=op.f('ck_source_title_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source'))
    )
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_uid'), ['uid'], unique=True)

    op.create_table('vocabulary_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('vocabulary', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('label_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('label_ar', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('label_ku', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vocabulary_term')),
    sa.UniqueConstraint('vocabulary', 'code', name=op.f('uq_vocabulary_term_vocabulary_code'))
    )
    with op.batch_alter_table('vocabulary_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vocabulary_term_vocabulary'), ['vocabulary'], unique=False)

    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('entity_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('incident_ref', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_audit_entry_actor_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_entry_entity', ['entity_type', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_incident_ref'), ['incident_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_seq'), ['seq'], unique=True)

    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('incident_type', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('date_precision', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('time_of_day', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('admin1', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('admin2', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('locality', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('geo_precision', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('context', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('fatalities', sa.Integer(), nullable=False),
    sa.Column('injured', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('confidence', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('sensitivity', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_edited_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("confidence IN ('reported', 'corroborated', 'verified')", name=op.f('ck_incident_confidence_known')),
    sa.CheckConstraint("sensitivity IN ('normal', 'restricted')", name=op.f('ck_incident_sensitivity_known')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'returned', 'verified', 'published', 'archived')", name=op.f('ck_incident_status_known')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_incident_end_after_start')),
    sa.CheckConstraint('fatalities >= 0', name=op.f('ck_incident_fatalities_nonnegative')),
    sa.CheckConstraint('injured >= 0', name=op.f('ck_incident_injured_nonnegative')),
    sa.CheckConstraint('latitude IS NULL OR (latitude >= -90 AND latitude <= 90)', name=op.f('ck_incident_latitude_range')),
    sa.CheckConstraint('length(title) > 0', name=op.f('ck_incident_title_not_empty')),
    sa.CheckConstraint('longitude IS NULL OR (longitude >= -180 AND longitude <= 180)', name=op.f('ck_incident_longitude_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_incident_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['last_edited_by_id'], ['app_user.id'], name=op.f('fk_incident_last_edited_by_id_app_user')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['app_user.id'], name=op.f('fk_incident_submitted_by_id_app_user')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['app_user.id'], name=op.f('fk_incident_verified_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_admin1'), ['admin1'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_incident_type'), ['incident_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_ref'), ['ref'], unique=True)
        batch_op.create_index(batch_op.f('ix_incident_start_date'), ['start_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_status'), ['status'], unique=False)
        batch_op.create_index('ix_incident_status_start_date', ['status', 'start_date'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('mime_type', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('original_name', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('captured_at', records.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_attachment_sha256_length')),
    sa.CheckConstraint('size >= 0', name=op.f('ck_attachment_size_nonnegative')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_attachment_incident_id_incident')),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_attachment_source_id_source')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['app_user.id'], name=op.f('fk_attachment_uploaded_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_source_id'), ['source_id'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_case_event_incident_id_incident')),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_case_event_source_id_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_event'))
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_event_incident_id'), ['incident_id'], unique=False)

    op.create_table('citation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('page', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_citation_incident_id_incident')),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_citation_source_id_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citation'))
    )
    with op.batch_alter_table('citation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citation_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_citation_source_id'), ['source_id'], unique=False)

    op.create_table('perpetrator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('attribution', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.CheckConstraint('actor_id IS NOT NULL OR person_id IS NOT NULL', name=op.f('ck_perpetrator_actor_or_person')),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_perpetrator_actor_id_actor')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_perpetrator_incident_id_incident')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_perpetrator_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_perpetrator'))
    )
    with op.batch_alter_table('perpetrator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_perpetrator_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_perpetrator_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_perpetrator_person_id'), ['person_id'], unique=False)

    op.create_table('review_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.CheckConstraint('length(body) > 0', name=op.f('ck_review_comment_body_not_empty')),
    sa.ForeignKeyConstraint(['author_id'], ['app_user.id'], name=op.f('fk_review_comment_author_id_app_user')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_review_comment_incident_id_incident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_comment'))
    )
    with op.batch_alter_table('review_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_comment_incident_id'), ['incident_id'], unique=False)

    op.create_table('victim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('harm_description', sa.Text(), nullable=False),
    sa.Column('consent_to_publish_name', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_victim_incident_id_incident')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_victim_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_victim')),
    sa.UniqueConstraint('incident_id', 'person_id', name=op.f('uq_victim_incident_id_person_id'))
    )
    with op.batch_alter_table('victim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_victim_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_victim_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_victim_person_id'), ['person_id'], unique=False)

    op.create_table('custody_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('at', records.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('counterpart', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_custody_event_attachment_id_attachment')),
    sa.ForeignKeyConstraint(['by_user_id'], ['app_user.id'], name=op.f('fk_custody_event_by_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_event'))
    )
    with op.batch_alter_table('custody_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_event_attachment_id'), ['attachment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('custody_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_event_attachment_id'))

    op.drop_table('custody_event')
    with op.batch_alter_table('victim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_victim_person_id'))
        batch_op.drop_index(batch_op.f('ix_victim_outcome'))
        batch_op.drop_index(batch_op.f('ix_victim_incident_id'))

    op.drop_table('victim')
    with op.batch_alter_table('review_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_comment_incident_id'))

    op.drop_table('review_comment')
    with op.batch_alter_table('perpetrator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_perpetrator_person_id'))
        batch_op.drop_index(batch_op.f('ix_perpetrator_incident_id'))
        batch_op.drop_index(batch_op.f('ix_perpetrator_actor_id'))

    op.drop_table('perpetrator')
    with op.batch_alter_table('citation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citation_source_id'))
        batch_op.drop_index(batch_op.f('ix_citation_incident_id'))

    op.drop_table('citation')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_incident_id'))

    op.drop_table('case_event')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_source_id'))
        batch_op.drop_index(batch_op.f('ix_attachment_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachment_incident_id'))

    op.drop_table('attachment')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_status_start_date')
        batch_op.drop_index(batch_op.f('ix_incident_status'))
        batch_op.drop_index(batch_op.f('ix_incident_start_date'))
        batch_op.drop_index(batch_op.f('ix_incident_ref'))
        batch_op.drop_index(batch_op.f('ix_incident_incident_type'))
        batch_op.drop_index(batch_op.f('ix_incident_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_incident_admin1'))

    op.drop_table('incident')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_seq'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_incident_ref'))
        batch_op.drop_index('ix_audit_entry_entity')
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_action'))

    op.drop_table('audit_entry')
    with op.batch_alter_table('vocabulary_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vocabulary_term_vocabulary'))

    op.drop_table('vocabulary_term')
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_uid'))

    op.drop_table('source')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_uid'))
        batch_op.drop_index(batch_op.f('ix_person_name_key'))
        batch_op.drop_index(batch_op.f('ix_person_full_name'))

    op.drop_table('person')
    op.drop_table('audit_checkpoint')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_user_username'))

    op.drop_table('app_user')
    with op.batch_alter_table('actor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actor_uid'))
        batch_op.drop_index(batch_op.f('ix_actor_name'))
        batch_op.drop_index(batch_op.f('ix_actor_actor_type'))

    op.drop_table('actor')
