-- Every request a different URL, so the page cache never hits: the cost of rendering.
local queries = {"khai+sinh", "ket+hon", "dang+ky+ho+khau", "chung+thuc", "tam+tru", "khai+tu", "giay+doc+than", "thuong+tru"}
local n = 0
request = function()
  n = n + 1
  local q = queries[(n % #queries) + 1]
  return wrk.format("GET", "/thu-tuc?q=" .. q .. "&nocache=" .. n .. "-" .. math.random(1, 1000000000))
end
