-- GET /api/cameras/<id>/history looks a camera up by its id alone (any site or gateway), newest first.
CREATE INDEX camera_decisions_by_camera ON camera_decisions (camera_id, at DESC);
