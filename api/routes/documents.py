"""POST, GET and DELETE /v1/documents: add your own guideline files to an index, list what it holds, remove one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Query, Response, UploadFile
from fastapi import Path as PathParam

from api import uploads
from api.deps import PipelineDep, SettingsDep
from api.schemas import (
    AddedFileOut,
    DocumentListOut,
    DocumentOut,
    ErrorOut,
    RejectedFileOut,
    UploadErrorOut,
    UploadOut,
)
from rag.corpus.files.meta import FileMeta, FileRejected
from rag.corpus.files.reader import read_file
from rag.indexing.errors import UnknownDocumentError, UpdateError
from rag.indexing.updates import add_documents, list_documents, remove_documents
from rag.types import Kind

router = APIRouter(prefix="/documents", tags=["documents"])
UPLOAD_PATH = "/v1/documents"  # the body limit for this path is api.max_upload_bytes
INDEX_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
INDEX_HELP = "The index to change; the one the server answers from when omitted."

TOO_LARGE = {413: {"model": ErrorOut, "description": "The files together are over api.max_upload_bytes."}}


def _index(settings, name: str | None) -> str:
    return name or settings.index.name


def _require_index(settings, name: str) -> None:
    if not (settings.index.dir / name).exists():
        raise HTTPException(404, detail={"error": "unknown_index", "message": f"no index named {name!r}"})


@router.post(
    "",
    status_code=201,
    response_model=UploadOut,
    responses=TOO_LARGE | {
        404: {"model": ErrorOut, "description": "No index of that name."},
        422: {"model": UploadErrorOut, "description": "No file could be added (each file's reason is given), invalid "
                                                      "form fields, or a form that cannot be read."},
    },
    summary="Add guideline files (PDF, HTML, Word .docx, Markdown, text) to an index",
)
def upload(
    settings: SettingsDep,
    pipeline: PipelineDep,
    files: Annotated[list[UploadFile], File(min_length=1, description="One or more files.")],
    # Optional form fields are typed without None: a multipart form has no null, and the spec must not offer one.
    kind: Annotated[Kind, Form(description="Kind of every file: guideline, research or patient.")] = None,
    title: Annotated[str, Form(max_length=500, description="Title, instead of the one read from the file.")] = None,
    source: Annotated[str, Form(max_length=500, description="Issuing body or journal.")] = None,
    year: Annotated[int, Form(ge=1900, le=2100, description="Publication or revision year.")] = None,
    url: Annotated[str, Form(max_length=2000, description="Where the document is published.")] = None,
    index: Annotated[str, Form(pattern=INDEX_NAME, description=INDEX_HELP)] = None,
):
    """Read each file, cut it into passages, embed them and add them to the index; answers cite the new documents
    from the next question on. A file that cannot be read is listed under `rejected` with its reason; when none can
    be added the answer is 422. Files are stored under a name made from their content, never the client's."""
    name = _index(settings, index)
    _require_index(settings, name)
    given = {"title": title, "source": source, "year": year, "url": url, "kind": kind}
    meta = FileMeta(**given) if any(v is not None for v in given.values()) else None  # FileMeta: blank = not given
    folder = settings.api.uploads_dir
    added: list[AddedFileOut] = []
    rejected: list[RejectedFileOut] = []
    seen: dict[str, str] = {}  # doc id -> the file that gave it
    for f in files:
        saved = uploads.save(f.file, f.filename, folder)
        try:
            doc = read_file(saved.path, settings, meta)
        except Exception as exc:  # noqa: BLE001 - a library failing on one odd file is that file's reason, not a 500
            if saved.new:
                uploads.discard(folder, saved.path.name)
            reason = exc.reason if isinstance(exc, FileRejected) else f"the file could not be read ({type(exc).__name__})"
            # The reader names the file it read: the stored name, which means nothing to the person who sent it.
            rejected.append(RejectedFileOut(filename=saved.filename, reason=reason.replace(saved.path.name, saved.filename)))
            continue
        if doc.id in seen:
            rejected.append(RejectedFileOut(filename=saved.filename, reason=f"the same document as {seen[doc.id]!r} in this upload"))
            continue
        seen[doc.id] = saved.filename
        doc.identifiers["filename"] = saved.filename  # identifiers["file"] is the stored name
        if doc.title == saved.path.stem:  # the reader fell back to the file name: the client's, not the stored one
            doc.title = uploads.title_from(saved.filename) or doc.title
        try:  # one file at a time, so one that cannot be indexed is reported on its own and the others still go in
            report = add_documents(name, [doc], settings)
        except UpdateError as exc:
            if saved.new:
                uploads.discard(folder, saved.path.name)
            rejected.append(RejectedFileOut(filename=saved.filename, reason=str(exc)))
            continue
        entry = report.documents[0]
        added.append(AddedFileOut(filename=saved.filename, doc_id=doc.id, title=entry.title, kind=entry.kind,
                                  chunks=entry.chunks, pages=entry.pages))
    if not added:
        reasons = "; ".join(f"{r.filename or 'a file'}: {r.reason}" for r in rejected)
        raise HTTPException(422, detail={"error": "no_documents_added", "message": f"no file could be added ({reasons})"[:2000],
                                         "rejected": [r.model_dump() for r in rejected]})
    if name == settings.index.name:
        pipeline.refresh()  # the next question is answered from the new documents
    return UploadOut(index=name, added=added, rejected=rejected)


@router.get("", name="list", response_model=DocumentListOut,
            responses={404: {"model": ErrorOut, "description": "No index of that name."}}, summary="The documents an index holds")
def list_all(
    settings: SettingsDep,
    added: Annotated[bool, Query(description="true: only user-added documents; false: only the corpus's.")] = None,
    index: Annotated[str, Query(pattern=INDEX_NAME, description=INDEX_HELP)] = None,
):
    name = _index(settings, index)
    _require_index(settings, name)
    entries = list_documents(name, settings)
    docs = [DocumentOut(doc_id=e.id, kind=e.kind, title=e.title, source=e.source, year=e.year, url=e.url, chunks=e.chunks,
                        pages=e.pages, added=e.added_by_user, added_at=e.added_at)
            for e in entries if added is None or e.added_by_user == added]
    return DocumentListOut(index=name, documents=docs)


@router.delete("/{doc_id:path}", status_code=204, responses={404: {"model": ErrorOut, "description": "No such document or index."}},
               summary="Remove a document from an index")
def delete(
    settings: SettingsDep,
    pipeline: PipelineDep,
    doc_id: Annotated[str, PathParam(description="The document's id (GET /v1/documents, or a reference's doc_id).")],
    index: Annotated[str, Query(pattern=INDEX_NAME, description=INDEX_HELP)] = None,
) -> Response:
    """Remove the document and its passages; answers stop citing it from the next question on."""
    name = _index(settings, index)
    _require_index(settings, name)
    served = name == settings.index.name
    doc = pipeline.index.document(doc_id) if served else None
    try:
        remove_documents(name, [doc_id], settings)
    except UnknownDocumentError as exc:
        raise HTTPException(404, detail={"error": "unknown_document", "message": str(exc)}) from exc
    if served:
        pipeline.refresh()
    if doc is not None:  # its uploaded file, if it came from one, is no longer needed
        uploads.discard(settings.api.uploads_dir, doc.identifiers.get("file", ""))
    return Response(status_code=204)
