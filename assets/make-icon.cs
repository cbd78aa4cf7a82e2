// Draws assets/icon.png, the packages' icon (PackageIcon): a white shield with a check mark on a slate rounded square,
// 128 x 128 RGBA. Run from the repository root: dotnet run assets/make-icon.cs. The PNG encoder is the minimum the
// format needs (IHDR, one IDAT through ZLibStream, IEND, CRC-32 computed here), so the icon is rebuilt from this file
// alone and byte for byte the same on every machine.
using System;
using System.IO;
using System.IO.Compression;
using System.Text;

const int Size = 128;
byte[] rgba = new byte[Size * Size * 4];
for (int y = 0; y < Size; y++)
{
    for (int x = 0; x < Size; x++)
    {
        // 4x4 supersampling for smooth edges.
        int background = 0, shield = 0, check = 0;
        for (int sy = 0; sy < 4; sy++)
        {
            for (int sx = 0; sx < 4; sx++)
            {
                double px = x + (sx + 0.5) / 4, py = y + (sy + 0.5) / 4;
                if (InRoundedSquare(px, py)) background++;
                if (InShield(px, py)) shield++;
                if (InCheck(px, py)) check++;
            }
        }
        // Slate background, white shield, green check inside the shield.
        double a = background / 16.0, s = shield / 16.0, c = check / 16.0;
        double r = 0x1F, g = 0x3A, b = 0x5F;            // background
        r += (0xFF - r) * s; g += (0xFF - g) * s; b += (0xFF - b) * s;
        r += (0x1F - r) * c; g += (0x9D - g) * c; b += (0x55 - b) * c;   // green check
        int i = (y * Size + x) * 4;
        rgba[i] = (byte)Math.Round(r); rgba[i + 1] = (byte)Math.Round(g); rgba[i + 2] = (byte)Math.Round(b);
        rgba[i + 3] = (byte)Math.Round(255 * a);
    }
}

using FileStream file = File.Create(Path.Combine("assets", "icon.png"));
file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
byte[] header = new byte[13];
WriteBigEndian(header, 0, (uint)Size);
WriteBigEndian(header, 4, (uint)Size);
header[8] = 8;   // bit depth
header[9] = 6;   // RGBA
WriteChunk(file, "IHDR", header);
using (MemoryStream compressed = new())
{
    using (ZLibStream zlib = new(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
    {
        for (int y = 0; y < Size; y++)
        {
            zlib.WriteByte(0);   // filter: none
            zlib.Write(rgba, y * Size * 4, Size * 4);
        }
    }
    WriteChunk(file, "IDAT", compressed.ToArray());
}
WriteChunk(file, "IEND", []);

static bool InRoundedSquare(double x, double y)
{
    const double Radius = 24;
    double cx = Math.Clamp(x, Radius, Size - Radius), cy = Math.Clamp(y, Radius, Size - Radius);
    return (x - cx) * (x - cx) + (y - cy) * (y - cy) <= Radius * Radius;
}

static bool InShield(double x, double y)
{
    // Flat top from y = 22 to 64, then sides curving to a point at y = 108; 76 wide.
    double half = 38, dx = Math.Abs(x - 64);
    if (y < 22 || y > 108) return false;
    if (y <= 64) return dx <= half - (y < 30 ? (30 - y) * 0.6 : 0);
    double t = (y - 64) / 44.0;   // 0 at the shoulder, 1 at the point
    return dx <= half * Math.Sqrt(1 - t * t);
}

static bool InCheck(double x, double y)
{
    // Two strokes: (44, 64) to (59, 79), (59, 79) to (86, 50); 9 wide.
    return DistanceToSegment(x, y, 44, 64, 59, 79) <= 5.5 || DistanceToSegment(x, y, 59, 79, 86, 50) <= 5.5;
}

static double DistanceToSegment(double px, double py, double ax, double ay, double bx, double by)
{
    double vx = bx - ax, vy = by - ay;
    double t = Math.Clamp(((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy), 0, 1);
    double dx = px - (ax + t * vx), dy = py - (ay + t * vy);
    return Math.Sqrt(dx * dx + dy * dy);
}

static void WriteBigEndian(byte[] buffer, int offset, uint value)
{
    buffer[offset] = (byte)(value >> 24); buffer[offset + 1] = (byte)(value >> 16);
    buffer[offset + 2] = (byte)(value >> 8); buffer[offset + 3] = (byte)value;
}

static void WriteChunk(Stream stream, string type, byte[] data)
{
    byte[] length = new byte[4], crc = new byte[4];
    byte[] typeBytes = Encoding.ASCII.GetBytes(type);
    WriteBigEndian(length, 0, (uint)data.Length);
    uint c = Crc32(Crc32(0xFFFFFFFF, typeBytes), data) ^ 0xFFFFFFFF;
    WriteBigEndian(crc, 0, c);
    stream.Write(length); stream.Write(typeBytes); stream.Write(data); stream.Write(crc);
}

static uint Crc32(uint crc, byte[] data)
{
    foreach (byte value in data)
    {
        crc ^= value;
        for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
    }
    return crc;
}
