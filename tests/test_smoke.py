

def test_index_lists_only_readable_screens(login):
    page = login("hr1").get("/").get_data(as_text=True)
    assert "/attendanceview/list/" in page
    assert "/customerview/list/" not in page
